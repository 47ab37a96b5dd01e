package network.aios.cli; class X{}
