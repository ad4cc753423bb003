-- kind: instruction limit
-- message: instruction limit exceeded
-- The stop is raised again on the next instruction after pcall returns.
while true do pcall(function() while true do end end) end --< here
