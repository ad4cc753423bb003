-- kind: runtime
-- message: only "count" is allowed in scripts
collectgarbage("stop") --< here
