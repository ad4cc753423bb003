-- kind: instruction limit
-- message: instruction limit exceeded
local s = ("x"):rep(1 << 20) .. ("y"):rep(1 << 20)
for i = 1, 100 do local u = s:upper() end --< here
