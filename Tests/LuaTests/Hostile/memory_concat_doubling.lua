-- expect: memory limit
-- message: memory limit exceeded
-- line: 6
local s = "x"
while true do
  s = s .. s
end
