source lines = stdin
lines
  | map {
      a: length(it), b: lower(it), c: upper(it), d: contains(it, "x"),
      e: starts_with(it, "a"), f: ends_with(it, "z"), g: split(it, " "),
      h: substr(it, 1), i: substr(it, 1, 2), j: trim(it), k: replace(it, "a", "b"),
      l: index_of(it, "q"), m: match(it, 'a+'), n: extract(it, '(\w+)'),
      o: extract(it, '(\w+) (\w+)', 2), p: captures(it, '(?<w>\w+)'),
      q: to_int(it), r: to_int(it, 0), s: to_float(it), t: to_float(it, 0.0),
      u: to_string(1), v: format("%d-%s", 1, it), w: min(1, 2), x: max(1.0, 2),
      y: abs(-3), z: round(1.5), aa: floor(1.5), ab: ceil(1.5),
      ac: parse_time(it, "%Y-%m-%d"), ad: format_time(now(), "%H:%M"),
      ae: truncate_time(now(), 1h), af: now(), ag: coalesce(null, 1, 2),
      ah: is_null(it), ai: fold([1, 2], 0, sum), aj: sum_list([1, 2, 3]),
      ak: hash(it), al: url_decode(it)
    }
  | sink stdout
