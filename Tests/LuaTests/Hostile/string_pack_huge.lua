-- kind: instruction limit
-- message: instruction limit exceeded
local s = ("x"):rep(1 << 20)
for i = 1, 200 do local p = string.pack("s4", s) end --< here
