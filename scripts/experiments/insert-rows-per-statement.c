/* Issue 17 experiment: does inserting link events several rows per statement
   (INSERT ... VALUES (...),(...) ON CONFLICT DO NOTHING) cost SQLite less than one
   row per statement? Reads the events of an imported database (/tmp/la.db:
   linkaudit import links --db /tmp/la.db bench/links-quarter-v2-1000000.csv) into
   memory, then inserts them into link_event's schema in one transaction.
   cc -O2 -o /tmp/mr scripts/experiments/insert-rows-per-statement.c -lsqlite3
   /tmp/mr /tmp/t.db 1; /tmp/mr /tmp/t.db 16   (docs/benchmarks.md) */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define N 1000000
#define C 14
static char *vals[N][C]; static int isnull[N][C];
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
static const char *schema =
"PRAGMA journal_mode=WAL;"
"CREATE TABLE link_event (event_rowid INTEGER PRIMARY KEY, event_id TEXT NOT NULL, batch_id INTEGER NOT NULL, occurred_at TEXT NOT NULL,"
" scene TEXT NOT NULL, user_pseudonym TEXT NOT NULL, url TEXT, url_normalised TEXT NOT NULL, host_id INTEGER NOT NULL,"
" action TEXT NOT NULL CHECK (action = 'open' OR action = 'warn_proceed' OR action = 'warn_back' OR action = 'block'),"
" reason TEXT, principle INTEGER, detected_by TEXT NOT NULL, client_version TEXT, policy_version TEXT);"
"CREATE UNIQUE INDEX link_event_by_event_id ON link_event(event_id);"
"CREATE INDEX link_event_by_principle ON link_event(principle, action, occurred_at) WHERE principle IS NOT NULL;";
int main(int argc,char**argv){
  int rows=atoi(argv[2]);
  sqlite3*src; sqlite3_open("/tmp/la.db",&src); sqlite3_stmt*s;
  sqlite3_prepare_v2(src,"SELECT event_id,batch_id,occurred_at,scene,user_pseudonym,url,url_normalised,host_id,action,reason,principle,detected_by,client_version,policy_version FROM link_event",-1,&s,0);
  int n=0; while(sqlite3_step(s)==SQLITE_ROW&&n<N){for(int c=0;c<C;c++){const unsigned char*t=sqlite3_column_text(s,c); isnull[n][c]=t==0; vals[n][c]=t?strdup((const char*)t):0;} n++;}
  sqlite3_finalize(s); sqlite3_close(src);
  sqlite3*db; remove(argv[1]); char w[256]; snprintf(w,256,"%s-wal",argv[1]); remove(w);
  sqlite3_open(argv[1],&db); sqlite3_exec(db,schema,0,0,0);
  char sql[65536]; strcpy(sql,"INSERT INTO link_event (event_id, batch_id, occurred_at, scene, user_pseudonym, url, url_normalised, host_id, action, reason, principle, detected_by, client_version, policy_version) VALUES ");
  for(int r=0;r<rows;r++){strcat(sql,r?",(":"(");for(int c=0;c<C;c++){strcat(sql,c?",?":"?");}strcat(sql,")");}
  strcat(sql," ON CONFLICT (event_id) DO NOTHING");
  sqlite3_stmt*ins; if(sqlite3_prepare_v2(db,sql,-1,&ins,0)){printf("%s\n",sqlite3_errmsg(db));return 1;}
  double t0=now(); sqlite3_exec(db,"BEGIN",0,0,0);
  for(int i=0;i+rows<=n;i+=rows){
    for(int r=0;r<rows;r++) for(int c=0;c<C;c++){int p=r*C+c+1; if(isnull[i+r][c]) sqlite3_bind_null(ins,p); else if(c==1||c==7||c==10) sqlite3_bind_int64(ins,p,atoll(vals[i+r][c])); else sqlite3_bind_text(ins,p,vals[i+r][c],-1,SQLITE_STATIC);}
    sqlite3_step(ins); sqlite3_reset(ins);
  }
  double t1=now(); sqlite3_exec(db,"COMMIT",0,0,0); double t2=now();
  printf("rows/stmt %d: insert %.3f s, commit %.3f s\n",rows,t1-t0,t2-t1);
  return 0;
}
