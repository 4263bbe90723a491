UPDATE sqlite_schema SET sql = replace(sql,
  'CHECK (action IN (''open'',''warn_proceed'',''warn_back'',''block''))',
  'CHECK (action = ''open'' OR action = ''warn_proceed'' OR action = ''warn_back'' OR action = ''block'')')
WHERE type = 'table' AND name = 'link_event';