-- expect: runtime
-- message: collectgarbage: only "count" is allowed in scripts
-- line: 5
local before = collectgarbage("count")
collectgarbage("stop")
