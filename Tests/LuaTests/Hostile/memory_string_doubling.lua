-- kind: memory limit
-- message: memory limit exceeded
local text = "0123456789abcdef"
while true do text = text .. text end --< here
