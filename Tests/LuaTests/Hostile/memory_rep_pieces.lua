-- expect: memory limit
-- message: memory limit exceeded
-- line: 7
-- Each piece is under the string.rep cap; together they are not.
local pieces = {}
for i = 1, 100 do
  pieces[i] = string.rep("y", 1 << 20) .. i
end
