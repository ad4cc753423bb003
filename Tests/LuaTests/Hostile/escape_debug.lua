-- expect: runtime
-- message: attempt to index a nil value (global 'debug')
-- line: 5
-- Without debug.sethook the budget cannot be switched off.
debug.sethook()
