-- Numbers headings, figures, tables and equations, and turns `@sec-id`, `@fig-id`, `@tbl-id`,
-- `@eq-id` (Quarto) or `@fig:id` (pandoc-crossref) into links ("figure 2"). Runs before
-- --citeproc, so a cross-reference never reaches the citation engine; one that does not
-- resolve stays a citation and pressroom reports it as unknown, with its line.

local function numbered(meta)
  local v = meta['number-sections']
  return not (v == false or (type(v) == 'table' and pandoc.utils.stringify(v) == 'false'))
end

-- An author's own number at the start of a heading: "1. Introduction", "2.3 Methods",
-- "IV. Results", "Chapter 2: ...", "Part One". Returns the number, or nil.
local function own_number(h)
  local text = pandoc.utils.stringify(h.content)
  local patterns = {
    '^(%d+%.%d[%d%.]*)%.?%s', '^(%d+)[%.%):]%s', '^(%d+)%s+%u', '^([IVXLC]+)[%.:]%s',
    '^[Cc]hapter%s+([%w]+)', '^CHAPTER%s+([%w]+)', '^[Pp]art%s+([%w]+)', '^[Aa]ppendix%s+(%u)%f[%W]',
  }
  for _, p in ipairs(patterns) do
    local n = text:match(p)
    if n then return n end
  end
  return nil
end

-- The heading levels a document uses: its top level, and whether its author numbered its
-- top-level headings (most of them start with a number: then pressroom adds none).
local function heading_plan(blocks)
  local top = 7
  blocks:walk({
    Header = function(h)
      if not h.classes:includes('unnumbered') and h.level < top then top = h.level end
    end,
  })
  local total, own = 0, 0
  blocks:walk({
    Header = function(h)
      if h.level == top and not h.classes:includes('unnumbered') then
        total = total + 1
        if own_number(h) then own = own + 1 end
      end
    end,
  })
  if top == 7 then top = 1 end
  return top, total > 0 and own * 2 > total
end

-- The caption's text without its notes and citations: an image's alternative text. (pandoc
-- copies the caption, citations included, into the image: citeproc would then cite twice
-- and the print page count one note twice.)
local function plain_caption(inlines)
  return pandoc.Inlines(inlines):walk({
    Cite = function() return {} end,
    Note = function() return {} end,
  })
end

local function prefix_caption(long, label, class)
  if #long > 0 and (long[1].t == 'Plain' or long[1].t == 'Para') then
    long[1].content:insert(1, pandoc.Space())
    long[1].content:insert(1, pandoc.Span({pandoc.Str(label)}, {class = class}))
  end
  return long
end

-- `$$ ... $$ {#eq-x}` as Quarto and pandoc-crossref write it: the id follows the math.
local function equation_id(inlines, i)
  local nxt, after = inlines[i + 1], inlines[i + 2]
  if nxt and nxt.t == 'Space' then nxt = after end
  if nxt and nxt.t == 'Str' then
    local id = nxt.text:match('^{#(eq[%-:][^}%s]+)}$')
    if id then return id, (inlines[i + 1].t == 'Space') and 2 or 1 end
  end
  return nil, 0
end

function Pandoc(doc)
  local counters = {0, 0, 0, 0, 0, 0}
  local numbers = {}
  local on = numbered(doc.meta)
  local top, own = heading_plan(doc.blocks)
  local tables, figures, equations = 0, 0, 0
  doc.blocks = doc.blocks:walk({
    Header = function(h)
      if not on or h.classes:includes('unnumbered') then return h end
      if own then
        local n = own_number(h)
        if n then
          h.attributes['number'] = n
          if h.identifier ~= '' then numbers[h.identifier] = {'section', n} end
        end
        return h
      end
      counters[h.level] = counters[h.level] + 1
      for l = h.level + 1, 6 do counters[l] = 0 end
      -- A paper whose top headings are `##` is numbered 1, 2 (not 0.1): numbers start at
      -- the top level used. (The levels themselves stay: page styles may rely on them.)
      local parts = {}
      for l = top, h.level do parts[#parts + 1] = tostring(counters[l]) end
      local num = table.concat(parts, '.')
      h.attributes['number'] = num
      if h.identifier ~= '' then numbers[h.identifier] = {'section', num} end
      h.content:insert(1, pandoc.Space())
      h.content:insert(1, pandoc.Span({pandoc.Str(num)}, {class = 'header-section-number'}))
      return h
    end,
    Table = function(t)
      tables = tables + 1
      if t.identifier ~= '' then numbers[t.identifier] = {'table', tostring(tables)} end
      t.caption.long = prefix_caption(t.caption.long, 'Table ' .. tostring(tables) .. '.',
        'table-number')
      return t
    end,
    Figure = function(f)
      f.content = f.content:walk({
        Image = function(img)
          img.caption = plain_caption(img.caption)
          return img
        end,
      })
      if #f.caption.long == 0 and f.identifier == '' then return f end
      figures = figures + 1
      if f.identifier ~= '' then numbers[f.identifier] = {'figure', tostring(figures)} end
      f.caption.long = prefix_caption(f.caption.long, 'Figure ' .. tostring(figures) .. '.',
        'figure-number')
      return f
    end,
    Inlines = function(inlines)
      local out = pandoc.Inlines({})
      local i = 1
      while i <= #inlines do
        local el = inlines[i]
        local id, skip = nil, 0
        if el.t == 'Math' and el.mathtype == 'DisplayMath' then id, skip = equation_id(inlines, i) end
        if id then
          equations = equations + 1
          local n = tostring(equations)
          numbers[id] = {'equation', n}
          -- The space keeps the number off the formula in Word, where it follows it.
          out:insert(pandoc.Span({el, pandoc.Space(), pandoc.Span({pandoc.Str('(' .. n .. ')')},
            {class = 'equation-number'})}, {id = id, class = 'equation'}))
          i = i + skip + 1
        else
          out:insert(el)
          i = i + 1
        end
      end
      return out
    end,
  })
  -- A reference that opens a sentence is capitalised ("Figure 2 shows"), as Quarto prints it;
  -- inside a sentence it is lower case ("in figure 2"), as Chicago sets it; `@Fig-x` forces
  -- the capital.
  local function resolve(c, opens, modifier)
    if #c.citations ~= 1 then return nil end
    local cit = c.citations[1]
    local key = cit.id
    local target = numbers[key] or numbers[key:sub(1, 1):lower() .. key:sub(2)]
    if target == nil then return nil end
    local word = target[1]
    if modifier == '+' or key:sub(1, 1):match('%u') or (opens and #cit.prefix == 0
        and modifier ~= '*') then
      word = word:sub(1, 1):upper() .. word:sub(2)
    end
    local id = key:sub(1, 1):lower() .. key:sub(2)
    local out = pandoc.List()
    out:extend(cit.prefix)
    if #cit.prefix > 0 then out:insert(pandoc.Space()) end
    local text = {pandoc.Str(word), pandoc.Space(), pandoc.Str(target[2])}
    if modifier == '!' then text = {pandoc.Str(target[2])} end
    out:insert(pandoc.Link(text, '#' .. id, '', {class = 'cross-ref'}))
    out:extend(cit.suffix)
    return out
  end
  local function opens_sentence(out)
    for k = #out, 1, -1 do
      local el = out[k]
      if el.t == 'Str' then
        return el.text:match('[.!?]$') ~= nil or el.text:match('[.!?][\u{201D}\u{2019}")]+$') ~= nil
      end
      if el.t ~= 'Space' and el.t ~= 'SoftBreak' and el.t ~= 'LineBreak' then return false end
    end
    return true
  end
  -- The kind's own word just before a reference ("Figure @fig:x", "Eq. @eq:x").
  local KIND_WORDS = {
    figure = true, fig = true, figures = true, figs = true, table = true, tab = true,
    tables = true, equation = true, eq = true, eqn = true, equations = true, eqs = true,
    section = true, sec = true, sections = true, chapter = true,
  }
  local function names_kind(out)
    local n = #out
    if n < 2 or out[n].t ~= 'Space' or out[n - 1].t ~= 'Str' then return false end
    local word = out[n - 1].text:lower():gsub('%.$', '')
    return KIND_WORDS[word] == true
  end
  local function references(block)
    return block:walk({
      Inlines = function(inlines)
        local out = pandoc.Inlines({})
        for _, el in ipairs(inlines) do
          -- pandoc-xnos's modifiers right before the reference: `+@fig:x` capitalises,
          -- `*@fig:x` keeps lower case, `!@fig:x` prints the number alone.
          local last = out[#out]
          local modifier = last and last.t == 'Str' and last.text:match('[+*!]$') or nil
          local resolved = nil
          if el.t == 'Cite' and modifier == nil and names_kind(out) then
            modifier = '!'  -- "Figure @fig:x" as pandoc-fignos users write it: "Figure 2"
            last = nil
          end
          if el.t == 'Cite' then
            local before = out
            if modifier and last then
              before = out:clone()
              before[#before] = pandoc.Str(last.text:sub(1, -2))
              if before[#before].text == '' then before:remove(#before) end
            end
            resolved = resolve(el, opens_sentence(before), modifier)
            if resolved then out = before end
          end
          if resolved then out:extend(resolved) else out:insert(el) end
        end
        return out
      end,
    })
  end
  doc.blocks = doc.blocks:walk({
    Para = references,
    Plain = references,
    Header = references,
  })
  return doc
end
