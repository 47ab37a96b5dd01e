package network.aios.policy; class X{}
