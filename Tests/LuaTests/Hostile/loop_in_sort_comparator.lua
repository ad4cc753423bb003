-- kind: instruction limit
-- message: instruction limit exceeded
table.sort({ 3, 2, 1 }, function() while true do end end) --< here
