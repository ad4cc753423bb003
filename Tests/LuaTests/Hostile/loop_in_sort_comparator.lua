-- expect: instruction limit
-- message: instruction limit exceeded
-- line: 5
local list = { 5, 3, 1, 4, 2 }
table.sort(list, function(a, b) while true do end end)
