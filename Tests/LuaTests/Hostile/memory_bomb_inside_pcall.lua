-- kind: memory limit
-- message: memory limit exceeded
-- Catching the memory stop does not help: it is raised again.
while true do pcall(function() local t = {} for i = 1, math.huge do t[i] = { i } end end) end --< here
