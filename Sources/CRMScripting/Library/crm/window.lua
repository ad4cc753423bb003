--- The WhatsApp customer-service window: a business may send free text only
--- within 24 hours of the contact's last message; after that, only approved
--- templates (Cloud API).
---@class crm.window
local window = {}

window.length = 24 * 3600

--- Whether free text may be sent now, and how many seconds remain.
---@param conversation integer
---@return boolean open
---@return integer remaining seconds, 0 when closed
function window.is_open(conversation)
  local last = crm.conversation(conversation).last_inbound_at
  if last == nil then return false, 0 end
  local remaining = last + window.length - crm.now()
  if remaining <= 0 then return false, 0 end
  return true, math.floor(remaining)
end

--- Sends `text` while the window is open, else the template.
---@param conversation integer
---@param text string
---@param template { name: string, language?: string, parameters?: string[] }
---@return "text"|"template"
function window.send(conversation, text, template)
  if window.is_open(conversation) then
    crm.send(conversation, text)
    return "text"
  end
  crm.send(conversation, { template = template })
  return "template"
end

return window
