{
  "targets": [
    {
      "target_name": "stratum1_native",
      "sources": ["stratum1_native.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
