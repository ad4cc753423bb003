-- kind: instruction limit
-- message: instruction limit exceeded
return ("abc"):gsub(".", function() while true do end end) --< here
