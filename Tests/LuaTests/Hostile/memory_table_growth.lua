-- kind: memory limit
-- message: memory limit exceeded
local hoard = {}
for i = 1, math.huge do hoard[i] = i end --< here
