-- kind: runtime
-- message: attempt to load a binary chunk
local chunk, problem = load("\27LuaT\0\25\147\r\n\26\n\4\8\8xV\0\0\0\0\0\0\0\0\0\0\0(w@")
error(problem, 0)
