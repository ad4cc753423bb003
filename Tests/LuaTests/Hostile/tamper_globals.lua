-- expect: runtime
-- message: cannot change a protected metatable
-- line: 10
-- Changes the state's own globals (allowed, and visible only here), then
-- tries to detach them from the shared library set.
tostring = function() return "pwned" end
shared_secret = "leaked"
rawset(_G, "pairs", nil)
_ENV.math = { pi = 3 }
setmetatable(_G, nil)
