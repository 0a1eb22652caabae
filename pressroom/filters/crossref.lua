-- Numbers headings and tables, and turns `@sec-id` / `@tbl-id` into links ("section 3").
-- Runs before --citeproc, so a cross-reference never reaches the citation engine; one that
-- does not resolve stays a citation and pressroom reports it as unknown, with its line.

local function numbered(meta)
  local v = meta['number-sections']
  return not (v == false or (type(v) == 'table' and pandoc.utils.stringify(v) == 'false'))
end

function Pandoc(doc)
  local counters = {0, 0, 0, 0, 0, 0}
  local numbers = {}
  local on = numbered(doc.meta)
  local tables = 0
  doc.blocks = doc.blocks:walk({
    Header = function(h)
      if not on or h.classes:includes('unnumbered') then return nil end
      counters[h.level] = counters[h.level] + 1
      for l = h.level + 1, 6 do counters[l] = 0 end
      local parts = {}
      for l = 1, h.level do parts[#parts + 1] = tostring(counters[l]) end
      local num = table.concat(parts, '.')
      h.attributes['number'] = num
      if h.identifier ~= '' then numbers[h.identifier] = {'section', num} end
      h.content:insert(1, pandoc.Space())
      h.content:insert(1, pandoc.Span({pandoc.Str(num)}, {class = 'header-section-number'}))
      return h
    end,
    Table = function(t)
      tables = tables + 1
      local label = 'Table ' .. tostring(tables) .. '.'
      if t.identifier ~= '' then numbers[t.identifier] = {'table', tostring(tables)} end
      local long = t.caption.long
      if #long > 0 and (long[1].t == 'Plain' or long[1].t == 'Para') then
        long[1].content:insert(1, pandoc.Space())
        long[1].content:insert(1, pandoc.Span({pandoc.Str(label)}, {class = 'table-number'}))
      end
      t.caption.long = long
      return t
    end,
  })
  doc.blocks = doc.blocks:walk({
    Cite = function(c)
      if #c.citations ~= 1 then return nil end
      local cit = c.citations[1]
      local key = cit.id
      local target = numbers[key] or numbers[key:sub(1, 1):lower() .. key:sub(2)]
      if target == nil then return nil end
      local word = target[1]
      if key:sub(1, 1):match('%u') then word = word:sub(1, 1):upper() .. word:sub(2) end
      local id = key:sub(1, 1):lower() .. key:sub(2)
      local out = pandoc.List()
      out:extend(cit.prefix)
      if #cit.prefix > 0 then out:insert(pandoc.Space()) end
      out:insert(pandoc.Link({pandoc.Str(word), pandoc.Space(), pandoc.Str(target[2])},
        '#' .. id, '', {class = 'cross-ref'}))
      out:extend(cit.suffix)
      return out
    end,
  })
  return doc
end
