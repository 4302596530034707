/*
 * The metric names a PromQL expression reads, for checking dashboards and
 * rules against what the service exports. Not a parser: strings, label
 * matchers, ranges, grouping clauses, Grafana's variables and numbers are
 * blanked out; what is left that looks like a name and is not a function
 * (followed by a parenthesis) or a keyword is a metric name.
 */
const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless", "inf", "nan", "start", "end"]);

export function metricNames(expr: string): string[] {
  const blanked = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\$\{[^}]*\}|\$\w+/g, " ")
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/(^|[^a-zA-Z_:])\d+(\.\d+)?(e[+-]?\d+)?([smhdwy]|ms)?\b/g, "$1 ");
  const names = new Set<string>();
  for (const m of blanked.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = blanked.slice(m.index + m[0].length).trimStart();
    if (after.startsWith("(") || KEYWORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names];
}
