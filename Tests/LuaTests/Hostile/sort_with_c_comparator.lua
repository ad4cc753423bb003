-- kind: instruction limit
-- message: instruction limit exceeded
-- math.ult compares in C: no VM instruction runs while sort works.
local t = {}
for i = 1, 100000 do t[i] = -i end
table.sort(t, math.ult) --< here
