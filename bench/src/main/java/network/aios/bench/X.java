package network.aios.bench; class X{}
