-- expect: runtime
-- message: table.move limit exceeded
-- line: 5
-- table.move copies in C, out of the hook's reach.
table.move({ 1 }, 1, math.maxinteger // 2, 2)
