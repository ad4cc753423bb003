-- kind: instruction limit
-- message: instruction limit exceeded
local s = ("á"):rep(1 << 19) .. ("é"):rep(1 << 19)
for i = 1, 100 do local n = utf8.len(s) end --< here
