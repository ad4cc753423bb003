-- kind: memory limit
-- message: memory limit exceeded
local function dive(n) return 1 + dive(n + 1) end --< here
return dive(1)
