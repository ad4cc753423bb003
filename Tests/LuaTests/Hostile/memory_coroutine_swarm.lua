-- kind: memory limit
-- message: memory limit exceeded
local swarm = {}
for i = 1, math.huge do swarm[i] = coroutine.create(print) end --< here
