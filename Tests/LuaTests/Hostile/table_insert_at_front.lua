-- kind: instruction limit
-- message: instruction limit exceeded
-- Each insert at the front shifts the whole list in C.
local t = {}
for i = 1, 100000 do t[i] = i end
for i = 1, 200 do table.insert(t, 1, i) end --< here
