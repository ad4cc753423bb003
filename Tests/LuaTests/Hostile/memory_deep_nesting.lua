-- expect: memory limit
-- message: memory limit exceeded
-- line: 6
local t = {}
while true do
  t = { t }
end
