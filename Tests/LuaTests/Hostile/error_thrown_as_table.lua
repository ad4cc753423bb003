-- kind: runtime
-- message: (error object is a table value)
error({ code = 42, text = "boom" }) --< here
