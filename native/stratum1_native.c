/*
 * The few system calls Node core does not expose and a time server needs:
 *  - CLOCK_REALTIME with nanosecond resolution (Date.now() is milliseconds,
 *    performance.now() is monotonic and drifts from the disciplined clock);
 *  - unix datagram sockets (chrony's SOCK refclock, systemd's sd_notify);
 *  - SysV shared memory (the ntpd/ntpsec SHM refclock);
 *  - the receiver's serial port: opened raw, 8N1, no flow control, locked,
 *    its rate set, written and drained (node-serialport's binding did this,
 *    and its JavaScript cost the service 4 MB of RSS for these few calls).
 * Everything here is a thin syscall wrapper that never blocks the event loop
 * that stamps serial data: each synchronous call is a few microseconds (the
 * fds are non-blocking), and the one call that takes as long as the wire, the
 * serial write with its drain, runs on the thread pool. Policy lives in
 * TypeScript.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <stdlib.h>
#include <uv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/file.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <time.h>
#include <unistd.h>

/* chrony refclock_sock.c (kept in sync with chrony's definition). */
struct sock_sample {
  struct timeval tv;
  double offset;
  int pulse;
  int leap;
  int _pad;
  int magic;
};

/* ntpd refclock_shm.c / chrony refclock_shm.c. */
struct shmTime {
  int mode;
  volatile int count;
  time_t clockTimeStampSec;
  int clockTimeStampUSec;
  time_t receiveTimeStampSec;
  int receiveTimeStampUSec;
  int leap;
  int precision;
  int nsamples;
  volatile int valid;
  unsigned clockTimeStampNSec;
  unsigned receiveTimeStampNSec;
  int dummy[8];
};

#define CHECK(call)                                                        \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, NULL, "stratum1_native: N-API call failed");  \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

static napi_value make_int(napi_env env, int64_t v) {
  napi_value out;
  napi_create_int64(env, v, &out);
  return out;
}

static napi_value make_double(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

/* An fd just opened, once the step after open() (bind, an ioctl) gave step_rc: the fd, or that step's -errno with the fd closed. */
static napi_value fd_unless_failed(napi_env env, int fd, int step_rc) {
  if (step_rc < 0) {
    int e = errno;
    close(fd);
    return make_int(env, -e);
  }
  return make_int(env, fd);
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "stratum1_native: missing arguments");
    return 0;
  }
  return 1;
}

/* realtimeNs(): bigint nanoseconds since the epoch. */
static napi_value realtime_ns(napi_env env, napi_callback_info info) {
  (void)info;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  napi_value out;
  CHECK(napi_create_bigint_int64(env, (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec, &out));
  return out;
}

/* realtimeUs(): integer microseconds since the epoch, exact in a double until 2255. */
static napi_value realtime_us(napi_env env, napi_callback_info info) {
  (void)info;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return make_double(env, (double)ts.tv_sec * 1e6 + (double)(ts.tv_nsec / 1000));
}

/*
 * Fills sun from a path and returns the address length to pass with it, or 0
 * after throwing. "@name" is the abstract namespace (systemd's NOTIFY_SOCKET
 * may be one): a leading NUL, and a length that stops at the name's end,
 * since every byte of sun_path up to the length is part of the name.
 */
static socklen_t fill_sun(napi_env env, napi_value v, struct sockaddr_un *sun) {
  size_t len = 0;
  memset(sun, 0, sizeof(*sun));
  sun->sun_family = AF_UNIX;
  if (napi_get_value_string_utf8(env, v, sun->sun_path, sizeof(sun->sun_path), &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "stratum1_native: path must be a string");
    return 0;
  }
  if (len >= sizeof(sun->sun_path) - 1) {
    napi_throw_range_error(env, NULL, "stratum1_native: unix socket path too long (max 107 bytes)");
    return 0;
  }
  if (sun->sun_path[0] == '@') {
    sun->sun_path[0] = '\0';
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
  }
  return (socklen_t)sizeof(*sun);
}

/* dgramOpen(): fd of a non-blocking, close-on-exec, unbound unix datagram socket, or -errno. */
static napi_value dgram_open(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  return make_int(env, fd < 0 ? -errno : fd);
}

/* dgramBind(path): fd of a non-blocking unix datagram socket bound to path, or -errno. */
static napi_value dgram_bind(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  struct sockaddr_un sun;
  socklen_t sunlen;
  if (!get_args(env, info, 1, argv) || !(sunlen = fill_sun(env, argv[0], &sun))) return NULL;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_int(env, -errno);
  return fd_unless_failed(env, fd, bind(fd, (struct sockaddr *)&sun, sunlen));
}

/* dgramSendTo(fd, path, buffer): bytes sent or -errno (ENOENT: no socket, ECONNREFUSED: nobody bound). */
static napi_value dgram_send_to(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  struct sockaddr_un sun;
  int32_t fd;
  void *data;
  size_t len;
  if (!get_args(env, info, 3, argv)) return NULL;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  socklen_t sunlen = fill_sun(env, argv[1], &sun);
  if (!sunlen) return NULL;
  CHECK(napi_get_buffer_info(env, argv[2], &data, &len));
  ssize_t n = sendto(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&sun, sunlen);
  return make_int(env, n < 0 ? -errno : n);
}

/* dgramRecv(fd, buffer): datagram length, or -errno (-EAGAIN when nothing is queued). */
static napi_value dgram_recv(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd;
  void *data;
  size_t len;
  if (!get_args(env, info, 2, argv)) return NULL;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_buffer_info(env, argv[1], &data, &len));
  ssize_t n = recv(fd, data, len, MSG_DONTWAIT | MSG_TRUNC);
  return make_int(env, n < 0 ? -errno : n);
}

static napi_value fd_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (!get_args(env, info, 1, argv)) return NULL;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  return make_int(env, close(fd) < 0 ? -errno : 0);
}

/* shmAttach(key, create): shmid of a 0600 segment sized for struct shmTime, or -errno. */
static napi_value shm_attach(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int64_t key;
  bool create;
  if (!get_args(env, info, 2, argv)) return NULL;
  CHECK(napi_get_value_int64(env, argv[0], &key));
  CHECK(napi_get_value_bool(env, argv[1], &create));
  int id = shmget((key_t)key, sizeof(struct shmTime), create ? (IPC_CREAT | 0600) : 0);
  return make_int(env, id < 0 ? -errno : id);
}

static struct shmTime *shm_map(napi_env env, napi_value idv) {
  int32_t id;
  if (napi_get_value_int32(env, idv, &id) != napi_ok) return NULL;
  void *p = shmat(id, NULL, 0);
  if (p == (void *)-1) {
    napi_throw_error(env, NULL, strerror(errno));
    return NULL;
  }
  return (struct shmTime *)p;
}

/*
 * shmWrite(id, clockSec, clockNsec, recvSec, recvNsec, leap, precision): one
 * sample with the mode-1 count/valid protocol, so a reader that races the
 * write sees count change and discards what it read.
 */
static napi_value shm_write(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  int64_t csec, cnsec, rsec, rnsec;
  int32_t leap, precision;
  if (!get_args(env, info, 7, argv)) return NULL;
  CHECK(napi_get_value_int64(env, argv[1], &csec));
  CHECK(napi_get_value_int64(env, argv[2], &cnsec));
  CHECK(napi_get_value_int64(env, argv[3], &rsec));
  CHECK(napi_get_value_int64(env, argv[4], &rnsec));
  CHECK(napi_get_value_int32(env, argv[5], &leap));
  CHECK(napi_get_value_int32(env, argv[6], &precision));
  struct shmTime *shm = shm_map(env, argv[0]);
  if (!shm) return NULL;
  shm->mode = 1;
  shm->valid = 0;
  shm->count++;
  __sync_synchronize();
  shm->clockTimeStampSec = (time_t)csec;
  shm->clockTimeStampUSec = (int)(cnsec / 1000);
  shm->clockTimeStampNSec = (unsigned)cnsec;
  shm->receiveTimeStampSec = (time_t)rsec;
  shm->receiveTimeStampUSec = (int)(rnsec / 1000);
  shm->receiveTimeStampNSec = (unsigned)rnsec;
  shm->leap = leap;
  shm->precision = precision;
  shm->nsamples = 3;
  __sync_synchronize();
  shm->count++;
  shm->valid = 1;
  shmdt(shm);
  return make_int(env, 0);
}

/* shmRead(id): the segment's fields, for tests and the bench (reader side of the protocol). */
static napi_value shm_read(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  struct shmTime *shm = shm_map(env, argv[0]);
  if (!shm) return NULL;
  struct shmTime copy;
  int before = shm->count;
  __sync_synchronize();
  memcpy(&copy, (const void *)shm, sizeof(copy));
  __sync_synchronize();
  int consistent = before == shm->count;
  shmdt(shm);
  napi_value out;
  CHECK(napi_create_object(env, &out));
  napi_set_named_property(env, out, "mode", make_int(env, copy.mode));
  napi_set_named_property(env, out, "count", make_int(env, copy.count));
  napi_set_named_property(env, out, "valid", make_int(env, copy.valid));
  napi_set_named_property(env, out, "consistent", make_int(env, consistent));
  napi_set_named_property(env, out, "clockSec", make_int(env, (int64_t)copy.clockTimeStampSec));
  napi_set_named_property(env, out, "clockNsec", make_int(env, copy.clockTimeStampNSec));
  napi_set_named_property(env, out, "receiveSec", make_int(env, (int64_t)copy.receiveTimeStampSec));
  napi_set_named_property(env, out, "receiveNsec", make_int(env, copy.receiveTimeStampNSec));
  napi_set_named_property(env, out, "leap", make_int(env, copy.leap));
  napi_set_named_property(env, out, "precision", make_int(env, copy.precision));
  return out;
}

/* shmStat(id): owner mode bits of the segment, so tests can check 0600. */
static napi_value shm_stat(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t id;
  struct shmid_ds ds;
  if (!get_args(env, info, 1, argv)) return NULL;
  CHECK(napi_get_value_int32(env, argv[0], &id));
  if (shmctl(id, IPC_STAT, &ds) < 0) return make_int(env, -errno);
  return make_int(env, ds.shm_perm.mode & 0777);
}

static napi_value shm_remove(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t id;
  if (!get_args(env, info, 1, argv)) return NULL;
  CHECK(napi_get_value_int32(env, argv[0], &id));
  return make_int(env, shmctl(id, IPC_RMID, NULL) < 0 ? -errno : 0);
}

/* layouts(): sizes and offsets the C compiler uses, to pin the TypeScript packers. */
static napi_value layouts(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(napi_create_object(env, &out));
  napi_set_named_property(env, out, "timeT", make_int(env, sizeof(time_t)));
  napi_set_named_property(env, out, "sockSampleSize", make_int(env, sizeof(struct sock_sample)));
  napi_set_named_property(env, out, "sockOffsetOffset", make_int(env, offsetof(struct sock_sample, offset)));
  napi_set_named_property(env, out, "sockPulseOffset", make_int(env, offsetof(struct sock_sample, pulse)));
  napi_set_named_property(env, out, "sockLeapOffset", make_int(env, offsetof(struct sock_sample, leap)));
  napi_set_named_property(env, out, "sockMagicOffset", make_int(env, offsetof(struct sock_sample, magic)));
  napi_set_named_property(env, out, "shmTimeSize", make_int(env, sizeof(struct shmTime)));
  return out;
}

/* packSockSample(sec, usec, offset, pulse, leap): the bytes a C program would send, for golden tests. */
static napi_value pack_sock_sample(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int64_t sec, usec;
  double offset;
  int32_t pulse, leap;
  if (!get_args(env, info, 5, argv)) return NULL;
  CHECK(napi_get_value_int64(env, argv[0], &sec));
  CHECK(napi_get_value_int64(env, argv[1], &usec));
  CHECK(napi_get_value_double(env, argv[2], &offset));
  CHECK(napi_get_value_int32(env, argv[3], &pulse));
  CHECK(napi_get_value_int32(env, argv[4], &leap));
  struct sock_sample s;
  memset(&s, 0, sizeof(s));
  s.tv.tv_sec = (time_t)sec;
  s.tv.tv_usec = (suseconds_t)usec;
  s.offset = offset;
  s.pulse = pulse;
  s.leap = leap;
  s.magic = 0x534f434b;
  napi_value out;
  void *copy;
  CHECK(napi_create_buffer_copy(env, sizeof(s), &s, &copy, &out));
  return out;
}

/* The one argument of a stop call: a reader's handle (an external), or NULL with a JavaScript exception pending. */
static void *handle_arg(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void *data = NULL;
  if (!get_args(env, info, 1, argv)) return NULL;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok) {
    napi_throw_type_error(env, NULL, "stratum1_native: expected a reader handle");
    return NULL;
  }
  return data;
}

/*
 * readerStart(fd, buffer, table, callback): watches a non-blocking datagram
 * fd (chrony's control socket) with uv_poll on the main loop and reads it into
 * `buffer` (lent by JS and reused: no allocation per read), each read stamped
 * with CLOCK_REALTIME the moment read() returns, and handed over at once: the
 * read's length at table[0], its stamp (µs) at table[1], then callback(1); the
 * bytes must be consumed before the callback returns. End of file, an error
 * or a hang-up end the watch with callback(-errno or 0). Returns a handle for
 * readerStop(). The receiver's port has its own reader (serialReaderStart).
 */
typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_ref buffer_ref;
  napi_ref table_ref;
  char *buffer;
  size_t buffer_len;
  double *table;
  napi_async_context context;
  int fd;
  int stopped;
  /* Freed only when the uv handle is closed and JS has dropped its handle. */
  int handle_open;
  int external_gone;
} reader_t;

static void reader_closed(uv_handle_t *h) {
  reader_t *r = (reader_t *)h->data;
  r->handle_open = 0;
  napi_delete_reference(r->env, r->callback);
  napi_delete_reference(r->env, r->buffer_ref);
  napi_delete_reference(r->env, r->table_ref);
  napi_async_destroy(r->env, r->context);
  if (r->external_gone) free(r);
}

static void reader_stop_internal(reader_t *r) {
  if (r->stopped) return;
  r->stopped = 1;
  uv_poll_stop(&r->poll);
  uv_close((uv_handle_t *)&r->poll, reader_closed);
}

/* Calls a reader's JavaScript callback with a count or an errno, from a uv callback on the main thread. */
static void call_back(napi_env env, napi_ref callback, napi_async_context context, double count_or_errno) {
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value cb, recv, argv[1], result;
  napi_get_reference_value(env, callback, &cb);
  napi_get_global(env, &recv); /* napi_make_callback needs an object receiver */
  napi_create_double(env, count_or_errno, &argv[0]);
  napi_make_callback(env, context, recv, cb, 1, argv, &result);
  napi_close_handle_scope(env, scope);
}

static void reader_emit(reader_t *r, double count_or_errno) {
  call_back(r->env, r->callback, r->context, count_or_errno);
}

static void reader_end(reader_t *r, double code) {
  if (r->stopped) return;
  reader_emit(r, code);
  reader_stop_internal(r);
}

static void reader_on_poll(uv_poll_t *h, int status, int events) {
  reader_t *r = (reader_t *)h->data;
  if (status < 0) {
    reader_end(r, status);
    return;
  }
  while (!r->stopped) {
    ssize_t n = read(r->fd, r->buffer, r->buffer_len);
    if (n > 0) {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      r->table[0] = (double)n;
      r->table[1] = (double)ts.tv_sec * 1e6 + (double)(ts.tv_nsec / 1000);
      reader_emit(r, 1);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
    reader_end(r, n == 0 ? 0 : -errno);
    return;
  }
  if ((events & UV_DISCONNECT) && !r->stopped) reader_end(r, -EIO);
}

static void reader_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  reader_t *r = (reader_t *)data;
  r->external_gone = 1;
  if (!r->handle_open) free(r);
}

/* What both readers are started with: an fd, the JS-lent buffer and a Float64Array table of (length, stamp) pairs. */
typedef struct {
  int32_t fd;
  void *buffer;
  size_t buffer_len;
  void *table;
  size_t table_len;
} reader_args_t;

/* Reads argv[0..2] into a; false once it has thrown (a wrong type, an empty buffer, a table too short). */
static bool reader_args(napi_env env, napi_value *argv, reader_args_t *a) {
  napi_typedarray_type table_type;
  if (napi_get_value_int32(env, argv[0], &a->fd) != napi_ok || napi_get_buffer_info(env, argv[1], &a->buffer, &a->buffer_len) != napi_ok ||
      napi_get_typedarray_info(env, argv[2], &table_type, &a->table_len, &a->table, NULL, NULL) != napi_ok) {
    napi_throw_type_error(env, NULL, "stratum1_native: a reader needs an fd, a Buffer and a Float64Array");
    return false;
  }
  if (a->buffer_len == 0 || table_type != napi_float64_array || a->table_len < 2) {
    napi_throw_range_error(env, NULL, "stratum1_native: a reader needs a non-empty buffer and a Float64Array of at least 2");
    return false;
  }
  return true;
}

/* The callback, buffer and table kept for the reader's life (GC cannot free them under read()), and its async context; false on failure. */
static bool reader_keep(napi_env env, napi_value *argv, napi_value callback, const char *resource, napi_ref *cb_ref, napi_ref *buffer_ref, napi_ref *table_ref, napi_async_context *context) {
  napi_value name;
  napi_create_string_utf8(env, resource, NAPI_AUTO_LENGTH, &name);
  return napi_create_reference(env, callback, 1, cb_ref) == napi_ok && napi_create_reference(env, argv[1], 1, buffer_ref) == napi_ok &&
         napi_create_reference(env, argv[2], 1, table_ref) == napi_ok && napi_async_init(env, NULL, name, context) == napi_ok;
}

static int set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  return flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ? -errno : 0;
}

static napi_value reader_start(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  reader_args_t a;
  if (!get_args(env, info, 4, argv) || !reader_args(env, argv, &a)) return NULL;
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  int nb = set_nonblocking(a.fd);
  if (nb < 0) return make_int(env, nb);
  reader_t *r = calloc(1, sizeof(*r));
  if (!r) return make_int(env, -ENOMEM);
  r->env = env;
  r->fd = a.fd;
  r->buffer = a.buffer;
  r->buffer_len = a.buffer_len;
  r->table = a.table;
  if (!reader_keep(env, argv, argv[3], "stratum1:reader", &r->callback, &r->buffer_ref, &r->table_ref, &r->context)) {
    free(r);
    napi_throw_error(env, NULL, "stratum1_native: cannot keep the reader callback");
    return NULL;
  }
  int rc = uv_poll_init(loop, &r->poll, a.fd);
  if (rc == 0) {
    r->poll.data = r;
    r->handle_open = 1;
    rc = uv_poll_start(&r->poll, UV_READABLE | UV_DISCONNECT, reader_on_poll);
    if (rc != 0) {
      /* The handle is closed on the loop; reader_closed drops the references and frees the reader. */
      r->stopped = 1;
      r->external_gone = 1;
      uv_close((uv_handle_t *)&r->poll, reader_closed);
      return make_int(env, rc);
    }
  } else {
    napi_delete_reference(env, r->callback);
    napi_delete_reference(env, r->buffer_ref);
    napi_delete_reference(env, r->table_ref);
    napi_async_destroy(env, r->context);
    free(r);
    return make_int(env, rc);
  }
  napi_value handle;
  CHECK(napi_create_external(env, r, reader_finalize, NULL, &handle));
  return handle;
}

/* readerStop(handle): stops watching (the fd stays open: its owner closes it). */
static napi_value reader_stop(napi_env env, napi_callback_info info) {
  void *data = handle_arg(env, info);
  if (!data) return NULL;
  reader_stop_internal((reader_t *)data);
  return make_int(env, 0);
}

/*
 * serialReaderStart(fd, buffer, table, holdMs, quietMs, takeOnly, callback): the
 * receiver's port, read on a thread of its own that blocks in poll(); the
 * main loop is woken (uv_async) only to hand a batch to JavaScript: the reads
 * back to back in `buffer` (lent by JS), read i's length at table[2i] and its
 * stamp (µs) at table[2i+1], then callback(count), consumed before it returns.
 * Each read is stamped with CLOCK_REALTIME as it returns; the reads are held
 * until the line has been quiet for quietMs (the burst is over; with takeOnly,
 * until serialReaderTake instead), at most holdMs after the first of a batch
 * (or until the room fills), and after a
 * read that ends a line the reader naps (below). Measured on this project's machine, a wake-up of the main loop
 * costs twice one of a plain thread (~110 against ~45 µs with the reader
 * alone on a pty), and a stamp taken here does not wait for JavaScript
 * running on the loop (the status tick, a scrape). End of file, EIO or a
 * hang-up hand over what is held, then callback(-errno or 0) once.
 * serialReaderTiming(handle, holdMs, quietMs, takeOnly) changes the hold and the quiet
 * gap (and whether the reads wait to be taken: serialReaderTake(handle));
 * serialReaderStop(handle) ends the thread before it returns, so the
 * owner may close the fd then (held reads are dropped).
 */
/*
 * The nap: after a read that ends a line, the fd is not watched for quietMs,
 * then read once. Bytes that came meanwhile are one read and one stamp (taken
 * when it returns, so up to quietMs late), where watching would have woken the
 * reader for each sentence (a pty, a USB receiver) or each few bytes (a UART's
 * FIFO). The sentence that opens a burst, whose stamp is the epoch's, is
 * stamped by a watched read as long as the line was quiet for two quietMs
 * before it (the last nap may start up to quietMs after the bytes it finds). A
 * nap that finds nothing means the line has been quiet for quietMs: the batch
 * is handed over and the fd watched again. A nap that brings more than a
 * serial line sends in one (NAP_FLOOD_BYTES, or a read that fills the room it
 * was given) is a writer faster than any serial rate, as a pty's can be, which
 * naps would slow to the pty's 4 kB a nap: it is read as it comes.
 */
#define NAP_FLOOD_BYTES 2048 /* 115200 baud sends 1.2 kB in the longest nap (105 ms, 9600 baud's) */

typedef struct {
  uv_async_t async;
  pthread_t thread;
  pthread_mutex_t lock;
  /* Signalled when the main thread has taken a batch: room for the reader again. */
  pthread_cond_t taken;
  /* readerStop writes here to end the thread's poll(). */
  int wake_fd;
  int fd;
  napi_env env;
  napi_ref callback;
  napi_ref buffer_ref;
  napi_ref table_ref;
  napi_async_context context;
  /* The JS-lent buffer and table a batch is handed over in (main thread only). */
  char *buffer;
  size_t buffer_len;
  double *table;
  size_t table_reads;
  /* Under lock: the reads so far, the first `released` of them handed over, and how the thread ended. */
  char *held;
  double *held_table;
  size_t held_used;
  size_t held_reads;
  size_t released;
  size_t released_bytes;
  uint64_t hold_ms;
  uint64_t quiet_ms;
  /* Handed over only when the main thread takes them (serialReaderTake) or the hold is up: no hand-over at the quiet gap. */
  int take_only;
  int stopping;
  int ended;
  int end_code;
  /* Main thread only. */
  int stopped;
  int end_told;
  int external_gone;
  int handle_closed;
} sreader_t;

static uint64_t monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sreader_free(sreader_t *r) {
  pthread_mutex_destroy(&r->lock);
  pthread_cond_destroy(&r->taken);
  free(r->held);
  free(r->held_table);
  free(r);
}

static void sreader_closed(uv_handle_t *h) {
  sreader_t *r = (sreader_t *)h->data;
  napi_delete_reference(r->env, r->callback);
  napi_delete_reference(r->env, r->buffer_ref);
  napi_delete_reference(r->env, r->table_ref);
  napi_async_destroy(r->env, r->context);
  r->handle_closed = 1;
  if (r->external_gone) sreader_free(r);
}

/* Main thread: ends the thread (joined, so the fd is no longer read) and closes the wake-up handle. */
static void sreader_stop_internal(sreader_t *r) {
  if (r->stopped) return;
  r->stopped = 1;
  pthread_mutex_lock(&r->lock);
  r->stopping = 1;
  pthread_cond_broadcast(&r->taken);
  pthread_mutex_unlock(&r->lock);
  uint64_t one = 1;
  ssize_t ignored = write(r->wake_fd, &one, sizeof one);
  (void)ignored;
  pthread_join(r->thread, NULL);
  close(r->wake_fd);
  uv_close((uv_handle_t *)&r->async, sreader_closed);
}

static void sreader_emit(sreader_t *r, double count_or_errno) {
  call_back(r->env, r->callback, r->context, count_or_errno);
}

/* Main thread: takes the handed-over reads into the JS-lent buffer and calls back. take_all: everything held, handed over or not. */
static void sreader_deliver(sreader_t *r, int take_all) {
  if (r->stopped) return;
  pthread_mutex_lock(&r->lock);
  if (take_all) {
    r->released = r->held_reads;
    r->released_bytes = r->held_used;
  }
  size_t count = r->released, bytes = r->released_bytes;
  memcpy(r->buffer, r->held, bytes);
  memcpy(r->table, r->held_table, count * 2 * sizeof(double));
  /* Reads after the hand-over stay held, moved to the front. */
  memmove(r->held, r->held + bytes, r->held_used - bytes);
  memmove(r->held_table, r->held_table + 2 * count, (r->held_reads - count) * 2 * sizeof(double));
  r->held_used -= bytes;
  r->held_reads -= count;
  r->released = 0;
  r->released_bytes = 0;
  int ended = r->ended, code = r->end_code;
  pthread_cond_broadcast(&r->taken);
  pthread_mutex_unlock(&r->lock);
  if (count > 0) sreader_emit(r, (double)count);
  if (ended && !r->stopped && !r->end_told) {
    r->end_told = 1;
    sreader_emit(r, (double)code);
    sreader_stop_internal(r);
  }
}

/* Main thread, woken by the reader. */
static void sreader_on_async(uv_async_t *h) {
  sreader_deliver((sreader_t *)h->data, 0);
}

/* Reader thread, lock held: hands over every read held so far. */
static void sreader_release(sreader_t *r) {
  if (r->released == r->held_reads) return;
  r->released = r->held_reads;
  r->released_bytes = r->held_used;
  uv_async_send(&r->async);
}

/*
 * Reader thread: reads until the fd has nothing more, each read stamped as it
 * returns. Returns the reads taken, or -1 once the thread must end (stopping,
 * end of file, an error: r->ended set). *first_ms: when the first read not yet
 * handed over came. *ends_line: the last byte read was a line feed.
 * *flooded: more came than a serial line sends in a nap.
 */
static int sreader_drain(sreader_t *r, uint64_t *first_ms, int *ends_line, int *flooded) {
  int taken = 0;
  size_t got = 0;
  pthread_mutex_lock(&r->lock);
  for (;;) {
    /* No room: hand everything over and wait for the main thread to take it. */
    while (!r->stopping && (r->held_used == r->buffer_len || r->held_reads == r->table_reads)) {
      sreader_release(r);
      pthread_cond_wait(&r->taken, &r->lock);
    }
    if (r->stopping) {
      pthread_mutex_unlock(&r->lock);
      return -1;
    }
    size_t room = r->buffer_len - r->held_used;
    ssize_t n = read(r->fd, r->held + r->held_used, room);
    if (n > 0) {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      if (r->held_reads == r->released) *first_ms = monotonic_ms();
      *ends_line = r->held[r->held_used + (size_t)n - 1] == '\n';
      r->held_table[2 * r->held_reads] = (double)n;
      r->held_table[2 * r->held_reads + 1] = (double)ts.tv_sec * 1e6 + (double)(ts.tv_nsec / 1000);
      r->held_reads++;
      r->held_used += (size_t)n;
      taken++;
      got += (size_t)n;
      if (got >= NAP_FLOOD_BYTES) *flooded = 1;
      if (r->hold_ms == 0) sreader_release(r);
      if ((size_t)n < room) break;
      *flooded = 1;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
    r->ended = 1;
    r->end_code = n == 0 ? 0 : -errno;
    /* The end is told after the reads before it: handed over now, whatever the hold. */
    r->released = r->held_reads;
    r->released_bytes = r->held_used;
    uv_async_send(&r->async);
    pthread_mutex_unlock(&r->lock);
    return -1;
  }
  pthread_mutex_unlock(&r->lock);
  return taken;
}

/* Reader thread: ends the watch as the fd did (a hang-up with nothing to read). */
static void sreader_end(sreader_t *r, int code) {
  pthread_mutex_lock(&r->lock);
  r->ended = 1;
  r->end_code = code;
  r->released = r->held_reads;
  r->released_bytes = r->held_used;
  uv_async_send(&r->async);
  pthread_mutex_unlock(&r->lock);
}

/* Milliseconds until the line counts as quiet (quietMs after `since`) or the hold ends (holdMs after the first read held); -1: nothing held, no end. */
static int sreader_wait(sreader_t *r, uint64_t now, uint64_t since, uint64_t first_ms, int napping) {
  pthread_mutex_lock(&r->lock);
  int held = r->held_reads > r->released;
  uint64_t hold = r->hold_ms, quiet = r->quiet_ms;
  int take_only = r->take_only;
  pthread_mutex_unlock(&r->lock);
  uint64_t end = UINT64_MAX;
  /* Taken by the main thread: a quiet line hands nothing over, so only a nap or the hold ends the wait. */
  if ((napping || (held && !take_only)) && quiet > 0) end = since + quiet;
  if (held && first_ms + hold < end) end = first_ms + hold;
  /* A nap whose quiet gap was set to 0 meanwhile ends now. */
  if (end == UINT64_MAX) return napping ? 0 : -1;
  return end > now ? (int)(end - now) : 0;
}

static void *sreader_main(void *arg) {
  sreader_t *r = (sreader_t *)arg;
  /* Named so top -H, ps -L and the bench tell its CPU from V8's and libuv's threads. */
  pthread_setname_np(pthread_self(), "s1-serial");
  int napping = 0;
  uint64_t first_ms = 0, since = monotonic_ms();
  for (;;) {
    uint64_t now = monotonic_ms();
    int timeout = sreader_wait(r, now, since, first_ms, napping);
    struct pollfd p[2] = {{r->wake_fd, POLLIN, 0}, {r->fd, POLLIN, 0}};
    /* Napping: only a stop ends the wait early; the port is read when it is over. */
    int rc = poll(p, napping ? 1 : 2, timeout);
    if (rc < 0 && errno != EINTR) {
      sreader_end(r, -errno);
      return NULL;
    }
    if (p[0].revents) return NULL;
    int ends_line = 0, flooded = 0;
    if (napping) {
      int taken = sreader_drain(r, &first_ms, &ends_line, &flooded);
      if (taken < 0) return NULL;
      pthread_mutex_lock(&r->lock);
      /* Nothing came: quiet for quietMs, the burst is over. A flood: more than the line could send, read as it comes. */
      if (taken == 0 || flooded) {
        if (!r->take_only) sreader_release(r);
        napping = 0;
      } else if (r->held_reads > r->released && monotonic_ms() >= first_ms + r->hold_ms) {
        /* A steady stream is handed over at least every holdMs, napping on. */
        sreader_release(r);
      }
      pthread_mutex_unlock(&r->lock);
      since = monotonic_ms();
      continue;
    }
    if (rc == 0) {
      /* Watched, nothing came in time: quiet, or the hold is up (the only end while the main thread takes the reads). */
      pthread_mutex_lock(&r->lock);
      if (!r->take_only || monotonic_ms() >= first_ms + r->hold_ms) sreader_release(r);
      pthread_mutex_unlock(&r->lock);
      since = monotonic_ms();
      continue;
    }
    if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      int taken = sreader_drain(r, &first_ms, &ends_line, &flooded);
      if (taken < 0) return NULL;
      if (taken == 0 && (p[1].revents & (POLLHUP | POLLERR))) {
        sreader_end(r, -EIO);
        return NULL;
      }
      since = monotonic_ms();
      pthread_mutex_lock(&r->lock);
      int quiet = r->quiet_ms > 0;
      pthread_mutex_unlock(&r->lock);
      /* A read that ends a line starts a nap; mid-line, watched on so the line's end is stamped when it comes. */
      if (taken > 0 && ends_line && !flooded && quiet) napping = 1;
    }
  }
}

static void sreader_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  sreader_t *r = (sreader_t *)data;
  r->external_gone = 1;
  if (r->handle_closed) sreader_free(r);
}

static napi_value serial_reader_start(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  reader_args_t a;
  int64_t hold_ms, quiet_ms;
  bool take_only;
  if (!get_args(env, info, 7, argv) || !reader_args(env, argv, &a)) return NULL;
  CHECK(napi_get_value_int64(env, argv[3], &hold_ms));
  CHECK(napi_get_value_int64(env, argv[4], &quiet_ms));
  CHECK(napi_get_value_bool(env, argv[5], &take_only));
  if (hold_ms < 0 || quiet_ms < 0) {
    napi_throw_range_error(env, NULL, "stratum1_native: serial reader needs holdMs >= 0 and quietMs >= 0");
    return NULL;
  }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  int nb = set_nonblocking(a.fd);
  if (nb < 0) return make_int(env, nb);
  sreader_t *r = calloc(1, sizeof(*r));
  if (!r) return make_int(env, -ENOMEM);
  r->held = malloc(a.buffer_len);
  r->held_table = malloc((a.table_len / 2) * 2 * sizeof(double));
  r->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (!r->held || !r->held_table || r->wake_fd < 0) {
    int err = r->wake_fd < 0 ? -errno : -ENOMEM;
    if (r->wake_fd >= 0) close(r->wake_fd);
    free(r->held);
    free(r->held_table);
    free(r);
    return make_int(env, err);
  }
  pthread_mutex_init(&r->lock, NULL);
  pthread_cond_init(&r->taken, NULL);
  r->env = env;
  r->fd = a.fd;
  r->buffer = a.buffer;
  r->buffer_len = a.buffer_len;
  r->table = a.table;
  r->table_reads = a.table_len / 2;
  r->hold_ms = (uint64_t)hold_ms;
  r->quiet_ms = (uint64_t)quiet_ms;
  r->take_only = take_only;
  if (!reader_keep(env, argv, argv[6], "stratum1:serial-reader", &r->callback, &r->buffer_ref, &r->table_ref, &r->context)) {
    close(r->wake_fd);
    sreader_free(r);
    napi_throw_error(env, NULL, "stratum1_native: cannot keep the reader callback");
    return NULL;
  }
  uv_async_init(loop, &r->async, sreader_on_async);
  r->async.data = r;
  /* A small stack (the thread's frames are a few hundred bytes), and no signals: the main thread takes those. */
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = pthread_create(&r->thread, &attr, sreader_main, r);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    close(r->wake_fd);
    r->stopped = 1;
    r->external_gone = 1;
    uv_close((uv_handle_t *)&r->async, sreader_closed);
    return make_int(env, -rc);
  }
  napi_value handle;
  CHECK(napi_create_external(env, r, sreader_finalize, NULL, &handle));
  return handle;
}

/* serialReaderStop(handle): ends the reader thread before returning (the fd stays open: its owner closes it); held reads are dropped. */
static napi_value serial_reader_stop(napi_env env, napi_callback_info info) {
  void *data = handle_arg(env, info);
  if (!data) return NULL;
  sreader_stop_internal((sreader_t *)data);
  return make_int(env, 0);
}

/*
 * serialReaderTiming(handle, holdMs, quietMs, takeOnly): from the reader's next wait on. takeOnly: the
 * reads are handed over when serialReaderTake asks (or the hold is up, or the room is full), not when the
 * line goes quiet, so a caller that takes them on a timer it runs anyway is not woken once more for them.
 */
static napi_value serial_reader_timing(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  void *data;
  int64_t hold_ms, quiet_ms;
  bool take_only;
  if (!get_args(env, info, 4, argv)) return NULL;
  CHECK(napi_get_value_external(env, argv[0], &data));
  CHECK(napi_get_value_int64(env, argv[1], &hold_ms));
  CHECK(napi_get_value_int64(env, argv[2], &quiet_ms));
  CHECK(napi_get_value_bool(env, argv[3], &take_only));
  if (hold_ms < 0 || quiet_ms < 0) {
    napi_throw_range_error(env, NULL, "stratum1_native: serialReaderTiming needs holdMs >= 0 and quietMs >= 0");
    return NULL;
  }
  sreader_t *r = (sreader_t *)data;
  pthread_mutex_lock(&r->lock);
  r->hold_ms = (uint64_t)hold_ms;
  r->quiet_ms = (uint64_t)quiet_ms;
  r->take_only = take_only;
  pthread_mutex_unlock(&r->lock);
  return make_int(env, 0);
}

/* serialReaderTake(handle): every read held so far, handed to the callback before this returns. */
static napi_value serial_reader_take(napi_env env, napi_callback_info info) {
  void *data = handle_arg(env, info);
  if (!data) return NULL;
  sreader_deliver((sreader_t *)data, 1);
  return make_int(env, 0);
}

/*
 * The serial port. Standard rates only (what GNSS receivers offer); the lock
 * is flock(LOCK_EX | LOCK_NB), as node-serialport took it, so a second
 * stratum1d (or anything that locks) cannot read half the bytes.
 */
static speed_t baud_constant(int64_t baud) {
  switch (baud) {
    case 1200: return B1200;
    case 2400: return B2400;
    case 4800: return B4800;
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default: return 0;
  }
}

static int tty_configure(int fd, speed_t speed, int raw) {
  struct termios t;
  if (tcgetattr(fd, &t) < 0) return -errno;
  if (raw) {
    cfmakeraw(&t);
    t.c_cflag &= ~(CSIZE | CSTOPB | PARENB | CRTSCTS | HUPCL);
    t.c_cflag |= CS8 | CLOCAL | CREAD;
    t.c_iflag &= ~(IXON | IXOFF | IXANY);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
  }
  if (cfsetispeed(&t, speed) < 0 || cfsetospeed(&t, speed) < 0) return -errno;
  if (tcsetattr(fd, TCSANOW, &t) < 0) return -errno;
  return 0;
}

/* ttyOpen(path, baud): the fd (non-blocking), or -errno (EINVAL: a rate it cannot set; EBUSY: locked by another program). */
static napi_value tty_open(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char path[4096];
  size_t len;
  int64_t baud;
  if (!get_args(env, info, 2, argv)) return NULL;
  CHECK(napi_get_value_string_utf8(env, argv[0], path, sizeof(path), &len));
  CHECK(napi_get_value_int64(env, argv[1], &baud));
  speed_t speed = baud_constant(baud);
  if (speed == 0) return make_int(env, -EINVAL);
  int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return make_int(env, -errno);
  if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
    int e = errno;
    close(fd);
    return make_int(env, -(e == EWOULDBLOCK ? EBUSY : e));
  }
  int rc = tty_configure(fd, speed, 1);
  if (rc < 0) {
    close(fd);
    return make_int(env, rc);
  }
  return make_int(env, fd);
}

/* ttySetBaud(fd, baud): 0 or -errno. */
static napi_value tty_set_baud(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd;
  int64_t baud;
  if (!get_args(env, info, 2, argv)) return NULL;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_value_int64(env, argv[1], &baud));
  speed_t speed = baud_constant(baud);
  if (speed == 0) return make_int(env, -EINVAL);
  return make_int(env, tty_configure(fd, speed, 0));
}

/*
 * ttyWrite(fd, buffer, drain) and i2cWrite(fd, address, buffer): a promise of
 * 0 or -errno, settled once every byte has been written. On the thread pool:
 * a UART's tcdrain (with drain: the bytes have left the UART, so a rate
 * change after it cannot cut them off) blocks for as long as the bytes take on
 * the wire (100 ms for 100 bytes at 9600 baud), and an I2C write for as long
 * as the bus takes (3 ms for 32 bytes at 100 kHz).
 */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref buffer_ref;
  int fd;
  const char *data;
  size_t len;
  bool drain;
  /* The I2C device the bytes are for (ioctl I2C_SLAVE before the write), or -1 for a UART. */
  int i2c_address;
  int result;
} dev_write_t;

static void dev_write_execute(napi_env env, void *data) {
  (void)env;
  dev_write_t *w = (dev_write_t *)data;
  size_t done = 0;
  w->result = 0;
  /* ENXIO or EREMOTEIO come from the write itself when nothing acknowledges the address. */
  if (w->i2c_address >= 0 && ioctl(w->fd, I2C_SLAVE, (unsigned long)w->i2c_address) < 0) {
    w->result = -errno;
    return;
  }
  while (done < w->len) {
    ssize_t n = write(w->fd, w->data + done, w->len - done);
    if (n > 0) {
      done += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      /* The port's buffer is full: wait for room, not for ever (flow control is off, so a port that takes nothing for 5 s is stuck). */
      struct pollfd p = {.fd = w->fd, .events = POLLOUT};
      int r = poll(&p, 1, 5000);
      if (r > 0) continue;
      w->result = r == 0 ? -ETIMEDOUT : -errno;
      return;
    }
    w->result = n < 0 ? -errno : -EIO;
    return;
  }
  if (w->drain && tcdrain(w->fd) < 0) w->result = -errno;
}

static void dev_write_complete(napi_env env, napi_status status, void *data) {
  dev_write_t *w = (dev_write_t *)data;
  napi_value result;
  napi_create_int32(env, status == napi_ok ? w->result : -ECANCELED, &result);
  napi_resolve_deferred(env, w->deferred, result);
  napi_delete_reference(env, w->buffer_ref);
  napi_delete_async_work(env, w->work);
  free(w);
}

static napi_value queue_dev_write(napi_env env, int fd, napi_value buffer, bool drain, int i2c_address) {
  void *data;
  size_t len;
  CHECK(napi_get_buffer_info(env, buffer, &data, &len));
  dev_write_t *w = calloc(1, sizeof(*w));
  if (!w) {
    napi_throw_error(env, NULL, "stratum1_native: out of memory");
    return NULL;
  }
  w->fd = fd;
  w->data = data;
  w->len = len;
  w->drain = drain;
  w->i2c_address = i2c_address;
  napi_value promise, name;
  napi_create_string_utf8(env, "stratum1:device-write", NAPI_AUTO_LENGTH, &name);
  /* The buffer is referenced until the write is done, so GC cannot free it under write(). */
  if (napi_create_promise(env, &w->deferred, &promise) != napi_ok || napi_create_reference(env, buffer, 1, &w->buffer_ref) != napi_ok ||
      napi_create_async_work(env, NULL, name, dev_write_execute, dev_write_complete, w, &w->work) != napi_ok || napi_queue_async_work(env, w->work) != napi_ok) {
    free(w);
    napi_throw_error(env, NULL, "stratum1_native: cannot queue the device write");
    return NULL;
  }
  return promise;
}

static napi_value tty_write(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t fd;
  bool drain;
  if (!get_args(env, info, 3, argv)) return NULL;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_value_bool(env, argv[2], &drain));
  return queue_dev_write(env, fd, argv[1], drain, -1);
}

/*
 * The I2C bus of the front panel (/dev/i2c-N, the kernel's i2c-dev): what the
 * display driver needs is one plain write of a run of bytes to a 7-bit
 * address. i2cOpen(path): the fd, or -errno (ENOTTY: the file is not an I2C
 * bus, found by asking it for its functions).
 */
static napi_value i2c_open(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char path[4096];
  size_t len;
  unsigned long funcs;
  if (!get_args(env, info, 1, argv)) return NULL;
  CHECK(napi_get_value_string_utf8(env, argv[0], path, sizeof(path), &len));
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return make_int(env, -errno);
  return fd_unless_failed(env, fd, ioctl(fd, I2C_FUNCS, &funcs));
}

static napi_value i2c_write(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t fd, address;
  if (!get_args(env, info, 3, argv)) return NULL;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_value_int32(env, argv[1], &address));
  if (address < 0x03 || address > 0x77) {
    napi_throw_range_error(env, NULL, "stratum1_native: an I2C address is 7 bits, 0x03 to 0x77");
    return NULL;
  }
  return queue_dev_write(env, fd, argv[2], false, address);
}

/*
 * lineRun(src, from, to, dst, at): the framer's inner loop (src/gnss/lineRun.ts
 * is the reference, and tells why it is here). Copies src[from, to) to dst at
 * `at` up to the first byte that cannot be inside an NMEA sentence (below 0x20
 * or above 0x7e, '$', '!'); returns that byte's index (or `to`) * 256 + the
 * XOR of the bytes copied.
 */
static napi_value line_run(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  uint8_t *src, *dst;
  size_t src_len, dst_len;
  int64_t from, to, at;
  if (!get_args(env, info, 5, argv)) return NULL;
  CHECK(napi_get_buffer_info(env, argv[0], (void **)&src, &src_len));
  CHECK(napi_get_value_int64(env, argv[1], &from));
  CHECK(napi_get_value_int64(env, argv[2], &to));
  CHECK(napi_get_buffer_info(env, argv[3], (void **)&dst, &dst_len));
  CHECK(napi_get_value_int64(env, argv[4], &at));
  if (from < 0 || to < from || (uint64_t)to > src_len || at < 0 || (uint64_t)(at + (to - from)) > dst_len) {
    napi_throw_range_error(env, NULL, "lineRun: range outside the buffers");
    return NULL;
  }
  unsigned x = 0;
  int64_t i = from;
  for (; i < to; i++) {
    uint8_t b = src[i];
    if (b < 0x20 || b > 0x7e || b == '$' || b == '!') break;
    dst[at++] = b;
    x ^= b;
  }
  return make_double(env, (double)i * 256 + x);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"realtimeNs", NULL, realtime_ns, NULL, NULL, NULL, napi_default, NULL},
    {"realtimeUs", NULL, realtime_us, NULL, NULL, NULL, napi_default, NULL},
    {"dgramOpen", NULL, dgram_open, NULL, NULL, NULL, napi_default, NULL},
    {"dgramBind", NULL, dgram_bind, NULL, NULL, NULL, napi_default, NULL},
    {"dgramSendTo", NULL, dgram_send_to, NULL, NULL, NULL, napi_default, NULL},
    {"dgramRecv", NULL, dgram_recv, NULL, NULL, NULL, napi_default, NULL},
    {"fdClose", NULL, fd_close, NULL, NULL, NULL, napi_default, NULL},
    {"shmAttach", NULL, shm_attach, NULL, NULL, NULL, napi_default, NULL},
    {"shmWrite", NULL, shm_write, NULL, NULL, NULL, napi_default, NULL},
    {"shmRead", NULL, shm_read, NULL, NULL, NULL, napi_default, NULL},
    {"shmStat", NULL, shm_stat, NULL, NULL, NULL, napi_default, NULL},
    {"shmRemove", NULL, shm_remove, NULL, NULL, NULL, napi_default, NULL},
    {"layouts", NULL, layouts, NULL, NULL, NULL, napi_default, NULL},
    {"packSockSample", NULL, pack_sock_sample, NULL, NULL, NULL, napi_default, NULL},
    {"readerStart", NULL, reader_start, NULL, NULL, NULL, napi_default, NULL},
    {"readerStop", NULL, reader_stop, NULL, NULL, NULL, napi_default, NULL},
    {"serialReaderStart", NULL, serial_reader_start, NULL, NULL, NULL, napi_default, NULL},
    {"serialReaderStop", NULL, serial_reader_stop, NULL, NULL, NULL, napi_default, NULL},
    {"serialReaderTiming", NULL, serial_reader_timing, NULL, NULL, NULL, napi_default, NULL},
    {"serialReaderTake", NULL, serial_reader_take, NULL, NULL, NULL, napi_default, NULL},
    {"ttyOpen", NULL, tty_open, NULL, NULL, NULL, napi_default, NULL},
    {"ttySetBaud", NULL, tty_set_baud, NULL, NULL, NULL, napi_default, NULL},
    {"ttyWrite", NULL, tty_write, NULL, NULL, NULL, napi_default, NULL},
    {"i2cOpen", NULL, i2c_open, NULL, NULL, NULL, napi_default, NULL},
    {"i2cWrite", NULL, i2c_write, NULL, NULL, NULL, napi_default, NULL},
    {"lineRun", NULL, line_run, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
