-- kind: instruction limit
-- message: instruction limit exceeded
local t = {}
for i = 1, 100000 do t[i] = i end
table.sort(t, rawequal) --< here
