-- kind: memory limit
-- message: memory limit exceeded
local parts = {}
for i = 1, 1000 do parts[i] = string.rep("x", 1 << 20) .. i end --< here
