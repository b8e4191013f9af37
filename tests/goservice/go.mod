module pprofc.test/goservice

go 1.19
