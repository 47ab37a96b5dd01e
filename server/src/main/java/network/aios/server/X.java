package network.aios.server; class X{}
