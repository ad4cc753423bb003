-- kind: instruction limit
-- message: instruction limit exceeded
return xpcall(error, function() while true do end end) --< here
