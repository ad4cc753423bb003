-- expect: runtime
-- message: attempt to call a nil value (field 'dump')
-- line: 4
local bytes = string.dump(function() return 1 end)
