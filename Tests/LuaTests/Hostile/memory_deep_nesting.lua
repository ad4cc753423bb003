-- kind: memory limit
-- message: memory limit exceeded
local nest = {}
while true do nest = { nest, nest } end --< here
