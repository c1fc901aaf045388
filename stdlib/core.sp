# core.sp - the prelude: loaded before every pipeline, so these functions are
# always at hand.  Written in the pipeline language itself.

# Reducers for reduceByKey, reduce, reduceByWindow, reduceByKeyAndWindow.
fn sum(a, b) = a + b
fn difference(a, b) = a - b          # the inverse of sum, for windows
fn product(a, b) = a * b
fn smallest(a, b) = min(a, b)
fn largest(a, b) = max(a, b)

# A non-null value: for `filter ok` after a parser that returns null.
fn ok(x) = x != null

# State functions for updateStateByKey: (new values, previous state or null).
fn running_sum(values, state) = fold(values, coalesce(state, 0), sum)
fn running_count(values, state) = coalesce(state, 0) + length(values)

# Summary statistics of numbers as (count, sum, min, max): map each number
# with stats(x), combine with merge_stats, read with the accessors below.
# These two run once per record in logs.sp, so the evaluator has them in C
# (src/eval.c): as long as their text below is unchanged, it gives exactly
# what the definitions give (tests/unit/test_builtins.c checks it); edited,
# they run as written.
fn stats(x) = (1, x, x, x)
fn merge_stats(a, b) =
  if a == null then b
  else if b == null then a
  else (a._1 + b._1, a._2 + b._2, min(a._3, b._3), max(a._4, b._4))
fn running_stats(values, state) = fold(values, state, merge_stats)
fn stats_count(s) = s._1
fn stats_avg(s) = if s._1 == 0 then 0 else s._2 / s._1
fn stats_summary(s) = {avg: stats_avg(s), min: s._3, max: s._4, count: s._1}
