-- kind: instruction limit
-- message: instruction limit exceeded
-- Each resume swallows the stop as "false, message"; the main thread stops next.
while true do coroutine.resume(coroutine.create(function() while true do end end)) end --< here
