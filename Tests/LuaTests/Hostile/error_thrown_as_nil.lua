-- kind: runtime
-- message: nil error
error(nil) --< here
