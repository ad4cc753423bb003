-- kind: runtime
-- message: cannot change a protected metatable
-- Own globals may change (they are this state's), the shared set may not.
tostring = function() return "pwned" end
_G.pairs = nil
setmetatable(_G, nil) --< here
