-- expect: instruction limit
-- message: instruction limit exceeded
-- line: 5
local n = 0
while true do n = n + 1 end
