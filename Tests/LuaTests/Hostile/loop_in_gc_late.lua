-- expect: runtime
-- message: attempt to modify a read-only table
-- line: 10
-- Adding __gc after setmetatable does not mark the object (Lua checks at
-- setmetatable time); a script then tries to re-arm it through the library.
local mt = {}
local object = setmetatable({}, mt)
mt.__gc = function() while true do end end
object = nil
string.gc = mt.__gc
