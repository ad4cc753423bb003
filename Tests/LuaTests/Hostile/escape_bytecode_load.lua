-- expect: runtime
-- message: attempt to load a binary chunk (mode is 't')
-- line: 6
-- A hand-made header of a Lua 5.4 binary chunk; mode "b" is overridden.
local header = "\27LuaT\0\25\147\r\n\26\n\4\8\8\120\86\0\0\0\0\0\0\0\0\0\0\0\40\119\64"
assert(load(header, "bytecode", "b"))
