-- kind: instruction limit
-- message: instruction limit exceeded
-- Conversion skips every leading space in C.
local s = (" "):rep(1 << 20) .. (" "):rep(1 << 20) .. "1"
for i = 1, 200 do local n = tonumber(s) end --< here
