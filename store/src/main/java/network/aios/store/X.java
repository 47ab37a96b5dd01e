package network.aios.store; class X{}
