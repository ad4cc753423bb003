-- kind: runtime
-- message: (error object is a table value)
-- The host's traceback handler never calls __tostring, so this cannot loop.
error(setmetatable({}, { __tostring = function() while true do end end })) --< here
