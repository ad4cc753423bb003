-- kind: instruction limit
-- message: instruction limit exceeded
while true do end --< here
