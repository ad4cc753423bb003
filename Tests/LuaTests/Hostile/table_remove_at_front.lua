-- kind: instruction limit
-- message: instruction limit exceeded
local t = {}
for i = 1, 100000 do t[i] = i end
for i = 1, 200 do table.remove(t, 1) end --< here
