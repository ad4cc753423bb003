/// Lua run in every state before `main.lua`: `on`, `require`, the dispatcher
/// the host calls per event, and the final shape of the `crm` table. It gets
/// its host functions as arguments so scripts never see them.
enum ScriptPrelude {
    static let chunk = "=(host)"

    static let code = """
    local bind_dispatch, reply, module_source, handler_added = ...
    local setmetatable, error, type, tostring, load = setmetatable, error, type, tostring, load

    crm.kv, crm.json, crm.log = crm_kv, crm_json, crm_log
    crm_kv, crm_json, crm_log = nil, nil, nil

    local handlers = { message = {}, status = {}, connection = {}, timer = {} }
    local message_methods = { __index = { reply = reply } }

    function on(name, handler)
      local list = handlers[name]
      if list == nil then
        error("on: unknown event '" .. tostring(name) .. "' (message, status, connection or timer)", 2)
      end
      if type(handler) ~= "function" then
        error("on: the handler of '" .. name .. "' must be a function", 2)
      end
      list[#list + 1] = handler
      handler_added(name)
    end

    local loaded, loading = {}, {}
    function require(name)
      if type(name) ~= "string" then error("require: the module name must be a string", 2) end
      local value = loaded[name]
      if value ~= nil then return value end
      if loading[name] then error("require: module '" .. name .. "' requires itself", 2) end
      local code, chunk = module_source(name)
      if code == nil then error(chunk, 2) end
      local body, problem = load(code, "=" .. chunk, "t")
      if body == nil then error(problem, 0) end
      loading[name] = true
      value = body(name)
      loading[name] = nil
      if value == nil then value = true end
      loaded[name] = value
      return value
    end

    bind_dispatch(function(name, event)
      if name == "message" then setmetatable(event, message_methods) end
      local list = handlers[name]
      for i = 1, #list do list[i](event) end
    end)
    """
}
